// The app module: Kotlin, framework APIs only (no AndroidX), the Rust core as a JNA library.
//
// Before Kotlin compiles, two tasks run from the repository root:
//   cargoNdk         - cargo-ndk builds libvideochat_ffi.so and copies the NDK's libc++_shared.so
//                      (--link-libcxx-shared) for each ABI into build/rustJniLibs, then checks
//                      both are there
//   generateBindings - uniffi-bindgen reads that library and writes the Kotlin bindings into
//                      build/generated/uniffi (generated code is never committed)
import java.util.Properties
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val repoRoot: File = rootDir.parentFile
// arm64-v8a: phones; x86_64: the emulator; armeabi-v7a: old 32-bit phones (cheap to add).
val allAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

// The ABIs built: -PrustAbis=arm64-v8a,x86_64 if given; else, when Android Studio runs or
// installs on a device, the first of that device's ABIs (it passes them, best first, as
// android.injected.build.abi) so one Rust build instead of three; else all of them
// (`gradle :app:installDebug` or assembleDebug from a terminal, CI).
val abis: List<String> = run {
    fun listed(property: String) = providers.gradleProperty(property).orNull
        ?.split(',')?.map { it.trim() }?.filter { it.isNotEmpty() }
    val chosen = listed("rustAbis")
    chosen?.filterNot { it in allAbis }?.takeIf { it.isNotEmpty() }?.let {
        throw GradleException("rustAbis: unknown ABI(s) $it; this app builds ${allAbis.joinToString()}")
    }
    chosen ?: listed("android.injected.build.abi")?.firstOrNull { it in allAbis }?.let { listOf(it) } ?: allAbis
}

// Android Studio started from a desktop launcher does not read the shell's profile, so its
// PATH often lacks ~/.cargo/bin and nasm. Look first where android/local.properties says
// (cargo.dir, nasm.dir: the directories holding the programs; cmake.dir: CMake's install
// directory, as AGP reads it), then in $CARGO_HOME/bin and ~/.cargo/bin, then the inherited PATH.
val localProperties = Properties().apply {
    rootDir.resolve("local.properties").takeIf { it.isFile }?.inputStream()?.use { load(it) }
}
val toolDirs: List<File> = buildList {
    localProperties.getProperty("cargo.dir")?.let { add(File(it)) }
    localProperties.getProperty("nasm.dir")?.let { add(File(it)) }
    localProperties.getProperty("cmake.dir")?.let { add(File(it, "bin")) }
    System.getenv("CARGO_HOME")?.let { add(File(it, "bin")) }
    add(File(System.getProperty("user.home"), ".cargo/bin"))
}.filter { it.isDirectory }
val toolPath: String = (toolDirs.map { it.path } + System.getenv("PATH").orEmpty().split(File.pathSeparator))
    .filter { it.isNotEmpty() }.distinct().joinToString(File.pathSeparator)
// An absolute path, so the program is found whatever PATH Gradle itself was started with.
val cargo: String = toolDirs.map { it.resolve(if (File.separatorChar == '\\') "cargo.exe" else "cargo") }
    .firstOrNull { it.canExecute() }?.path ?: "cargo"

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
        // Only the ABIs the core is built for: a device must never pick one without it.
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
    // openh264 is C++: --link-libcxx-shared (cargo-ndk 4.1+) links the core against the NDK's
    // shared C++ runtime and copies libc++_shared.so beside it for each ABI.
    val args = mutableListOf(cargo, "ndk", "--platform", minSdkVersion.toString(), "--link-libcxx-shared", "-o", out.path)
    abis.forEach { args += listOf("-t", it) }
    args += listOf("build", "-p", "videochat-ffi", "--lib")
    if (rustProfile == "release") args += "--release"
    commandLine(args)
    // cargo finds cargo-ndk, rustc, cmake and nasm (openh264's x86 assembly) on this PATH.
    environment("PATH", toolPath)
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "core/**/*.rs", "core/**/Cargo.toml", "bindings/src/**", "bindings/Cargo.toml", "bindings/uniffi.toml")
    })
    inputs.property("profile", rustProfile)
    inputs.property("abis", abis)
    outputs.dir(out)
    // Checked below, to say what the usual causes are instead of a bare exit code.
    isIgnoreExitValue = true
    doFirst {
        // cargo-ndk finds the NDK through this; use the one AGP is configured with.
        environment("ANDROID_NDK_HOME", androidComponents.sdkComponents.ndkDirectory.get().asFile.path)
    }
    doLast {
        val exit = executionResult.get().exitValue
        if (exit != 0) {
            throw GradleException(
                "cargo ndk failed (exit $exit), see its output above. It needs cargo-ndk 4.1 or newer " +
                    "(--link-libcxx-shared), the Rust Android targets (rustup target add ...), a C/C++ " +
                    "compiler, cmake and nasm on PATH or in local.properties (android/README.md).",
            )
        }
        // An APK without either library installs fine and crashes at the first call: fail here.
        val missing = abis.flatMap { abi ->
            listOf("libvideochat_ffi.so", "libc++_shared.so").map { "$abi/$it" }.filterNot { out.resolve(it).isFile }
        }
        if (missing.isNotEmpty()) {
            throw GradleException(
                "Missing from ${out.path}: ${missing.joinToString()}. libc++_shared.so comes from " +
                    "cargo-ndk's --link-libcxx-shared, which needs cargo-ndk 4.1 or newer " +
                    "(cargo install cargo-ndk --locked; cargo ndk --version).",
            )
        }
    }
}

val generateBindings by tasks.registering(Exec::class) {
    description = "Generates the Kotlin bindings from the built core library (uniffi-bindgen, library mode)."
    group = "rust"
    dependsOn(cargoNdk)
    workingDir = repoRoot
    val out = generatedBindings.get().asFile
    val library = rustJniLibs.get().asFile.resolve("${abis.first()}/libvideochat_ffi.so")
    // The bindgen runs on the build machine; it reads the metadata of the Android library.
    environment("PATH", toolPath)
    commandLine(
        cargo, "run", "-q", "-p", "videochat-ffi", "--features", "cli", "--bin", "uniffi-bindgen", "--",
        "generate", "--library", library.path, "--language", "kotlin", "--out-dir", out.path, "--no-format",
        "--config", repoRoot.resolve("bindings/uniffi.toml").path,
    )
    inputs.file(library)
    inputs.file(repoRoot.resolve("bindings/uniffi.toml"))
    outputs.dir(out)
}

tasks.named("preBuild") { dependsOn(generateBindings) }
