// The app module: Kotlin, framework APIs only (no AndroidX), the Rust core as a JNA library.
//
// Before Kotlin compiles, two tasks run from the repository root:
//   cargoNdk         - cargo-ndk builds libvideochat_ffi.so for each ABI into build/rustJniLibs
//   generateBindings - uniffi-bindgen reads that library and writes the Kotlin bindings into
//                      build/generated/uniffi (generated code is never committed)
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val repoRoot: File = rootDir.parentFile
// arm64-v8a: phones; x86_64: the emulator; armeabi-v7a: old 32-bit phones (cheap to add).
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val minSdkVersion = 26
val rustProfile = providers.gradleProperty("rustProfile").getOrElse("release")
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val generatedBindings = layout.buildDirectory.dir("generated/uniffi/kotlin")

android {
    namespace = "org.videochat.app"
    compileSdk = 36
    // r28+ links for 16 KB pages by default (required on Android 15+ devices with 16 KB pages).
    ndkVersion = "28.2.13676358"

    defaultConfig {
        applicationId = "org.videochat.app"
        minSdk = minSdkVersion
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            // Sign with your own key for distribution; debug signing lets `installRelease` work locally.
            signingConfig = signingConfigs.getByName("debug")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            jniLibs.srcDir(rustJniLibs)
            java.srcDir(generatedBindings)
            // Hand-written helpers beside the generated code (RemoteVideoFrame.pixels()).
            java.srcDir(repoRoot.resolve("bindings/kotlin/src/main/kotlin"))
        }
    }

    packaging {
        // JNA's aar brings its own libjnidispatch.so per ABI; keep native libs uncompressed and
        // page-aligned (16 KB pages on Android 15+).
        jniLibs.useLegacyPackaging = false
    }

    testOptions {
        unitTests.all { it.useJUnitPlatform() }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    // The generated bindings call the core through JNA; the aar carries libjnidispatch.so for
    // every ABI (>= 5.16 for 16 KB page devices).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    testImplementation(platform("org.junit:junit-bom:5.14.1"))
    testImplementation("org.junit.jupiter:junit-jupiter")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
}

val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds the Rust core for Android with cargo-ndk into build/rustJniLibs."
    group = "rust"
    workingDir = repoRoot
    val out = rustJniLibs.get().asFile
    val args = mutableListOf("cargo", "ndk", "--platform", minSdkVersion.toString(), "-o", out.path)
    abis.forEach { args += listOf("-t", it) }
    args += listOf("build", "-p", "videochat-ffi", "--lib")
    if (rustProfile == "release") args += "--release"
    commandLine(args)
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "core/**/*.rs", "core/**/Cargo.toml", "bindings/src/**", "bindings/Cargo.toml", "bindings/uniffi.toml")
    })
    inputs.property("profile", rustProfile)
    outputs.dir(out)
    doFirst {
        // cargo-ndk finds the NDK through this; use the one AGP is configured with.
        environment("ANDROID_NDK_HOME", androidComponents.sdkComponents.ndkDirectory.get().asFile.path)
    }
    doLast {
        // openh264 is C++: ship the NDK's shared C++ runtime beside the core when it needs it.
        val ndkDir = androidComponents.sdkComponents.ndkDirectory.get().asFile
        val triples = mapOf(
            "arm64-v8a" to "aarch64-linux-android",
            "armeabi-v7a" to "arm-linux-androideabi",
            "x86_64" to "x86_64-linux-android",
        )
        val prebuilt = ndkDir.resolve("toolchains/llvm/prebuilt").listFiles()?.firstOrNull()
        abis.forEach { abi ->
            val libcxx = prebuilt?.resolve("sysroot/usr/lib/${triples.getValue(abi)}/libc++_shared.so")
            if (libcxx != null && libcxx.exists()) libcxx.copyTo(out.resolve("$abi/libc++_shared.so"), overwrite = true)
        }
    }
}

val generateBindings by tasks.registering(Exec::class) {
    description = "Generates the Kotlin bindings from the built core library (uniffi-bindgen, library mode)."
    group = "rust"
    dependsOn(cargoNdk)
    workingDir = repoRoot
    val out = generatedBindings.get().asFile
    val library = rustJniLibs.get().asFile.resolve("arm64-v8a/libvideochat_ffi.so")
    // The bindgen runs on the build machine; it reads the metadata of the Android library.
    commandLine(
        "cargo", "run", "-q", "-p", "videochat-ffi", "--features", "cli", "--bin", "uniffi-bindgen", "--",
        "generate", "--library", library.path, "--language", "kotlin", "--out-dir", out.path, "--no-format",
        "--config", repoRoot.resolve("bindings/uniffi.toml").path,
    )
    inputs.file(library)
    inputs.file(repoRoot.resolve("bindings/uniffi.toml"))
    outputs.dir(out)
}

tasks.named("preBuild") { dependsOn(generateBindings) }
